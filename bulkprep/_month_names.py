"""Month and weekday names, written by scripts/make_month_names.py: do not edit.

Source: CLDR 49 Gregorian calendar names in 43 languages (babel 2.19.0): en fr de de_AT es it pt nl ca gl eu ga cy sv da nb nn is fi et lv lt pl cs sk sl hr bs hu ro sq tr mt lb rm fo el ru uk be bg sr mk.
Names are folded: accents dropped, case folded, no final dot.
"""

# ruff: noqa: E501 -- one generated entry a line

#: Folded month name, space, month number (1-12); one a line.
MONTHS = """\
abe 12
abendua 12
abr 4
abrell 4
abril 4
abu 8
abuztua 8
ag 8
ago 8
agost 8
agosto 8
agu 8
agust 8
agustos 8
aib 4
aibrean 4
aout 8
api 4
apirila 4
apr 4
april 4
aprila 4
aprile 4
aprilie 4
aprilis 4
aprill 4
ara 12
aralik 12
aug 8
august 8
augusta 8
augusti 8
augusts 8
augustus 8
augusztus 8
avg 8
avgust 8
avr 4
avrigl 4
avril 4
avust 8
awst 8
aww 8
awwissu 8
aza 11
azaroa 11
bal 4
balandis 4
balandzio 4
beal 5
bealtaine 5
birz 6
birzelio 6
birzelis 6
bre 3
brezen 3
brezna 3
cerven 6
cervence 7
cervenec 7
cervna 6
chw 2
chwef 2
chwefror 2
cvc 7
cvn 6
cze 6
czerwca 6
czerwiec 6
da december 12
da fanadur 7
da favrer 2
da mars 3
da matg 5
da november 11
da schaner 1
da settember 9
da zercladur 6
de des 12
de desembre 12
de febr 2
de febrer 2
de gen 1
de gener 1
de jul 7
de juliol 7
de juny 6
de maig 5
de marc 3
de nov 11
de novembre 11
de set 9
de setembre 9
dec 12
decembar 12
december 12
decembra 12
decembre 12
decembrie 12
decembris 12
decembro 12
deireadh fomhair 10
des 12
desember 12
desembre 12
dets 12
detsember 12
dez 12
dezember 12
dezembro 12
dfomh 10
dhj 12
dhjetor 12
dic 12
dicembre 12
dicembru 12
diciembre 12
dub 4
duben 4
dubna 4
d’abr 4
d’abril 4
d’ag 8
d’agost 8
d’avrigl 4
d’avust 8
d’oct 10
d’october 10
d’octubre 10
ean 1
eanair 1
ebr 4
ebrill 4
eka 6
ekaina 6
eki 10
ekim 10
elo 8
elokuu 8
elokuuta 8
ene 1
enero 1
eyl 9
eylul 9
fan 7
fanadur 7
favr 2
favrer 2
feabh 2
feabhra 2
feb 2
febbraio 2
febr 2
febreiro 2
febrer 2
febrero 2
februar 2
februara 2
februari 2
februarie 2
februaris 2
february 2
fev 2
fevereiro 2
fevr 2
fevrier 2
fra 2
frar 2
geg 5
geguze 5
geguzes 5
gen 1
gener 1
gennaio 1
giu 6
giugno 6
gor 7
gorff 7
gorffennaf 7
gru 12
grudnia 12
grudzien 12
gruod 12
gruodis 12
gruodzio 12
gun 6
gunju 6
gush 8
gusht 8
haz 6
haziran 6
heina 7
heinakuu 7
heinakuuta 7
helmi 2
helmikuu 2
helmikuuta 2
huhti 4
huhtikuu 4
huhtikuuta 4
hyd 10
hydref 10
ian 1
ianuarie 1
ion 1
ionawr 1
ira 9
iraila 9
iuil 7
iul 7
iulie 7
iun 6
iunie 6
jaan 1
jaanuar 1
jan 1
janar 1
janeiro 1
jannar 1
janner 1
januar 1
januara 1
januari 1
january 1
janv 1
janvaris 1
janvier 1
joulu 12
joulukuu 12
joulukuuta 12
juil 7
juillet 7
juin 6
jul 7
jula 7
julho 7
juli 7
julij 7
julijs 7
julio 7
juliol 7
julius 7
july 7
jun 6
juna 6
june 6
junho 6
juni 6
junij 6
junijs 6
junio 6
junius 6
juny 6
juuli 7
juuni 6
kas 11
kasim 11
kesa 6
kesakuu 6
kesakuuta 6
kol 8
kolovoz 8
kolovoza 8
korr 7
korrik 7
kov 3
kovas 3
kovo 3
kve 5
kveten 5
kvetna 5
kwi 4
kwiecien 4
kwietnia 4
lapkr 11
lapkricio 11
lapkritis 11
led 1
leden 1
ledna 1
liep 7
liepa 7
liepos 7
lipanj 6
lipca 7
lipiec 7
lipnja 6
listopadu 11
loka 10
lokakuu 10
lokakuuta 10
lug 7
luglio 7
lul 7
lulju 7
lun 8
lunasa 8
lut 2
lutego 2
luty 2
maalis 3
maaliskuu 3
maaliskuuta 3
maart 3
mae 3
maerz 3
mag 5
maggio 5
mai 5
maiatza 5
maig 5
maijs 5
maio 5
maj 5
maja 5
majus 5
mar 3
marc 3
marca 3
march 3
marcius 3
marco 3
marec 3
marras 11
marraskuu 11
marraskuuta 11
mars 3
mart 3
marta 3
martie 3
marts 3
martxoa 3
marz 3
marzec 3
marzo 3
marzu 3
matg 5
maw 3
mawrth 3
may 5
mayis 5
mayo 5
mean fomhair 9
medi 9
mee 5
meh 6
mehefin 6
mei 5
meith 6
meitheamh 6
mej 5
mejju 5
mfomh 9
mrt 3
nen 11
nentor 11
nis 4
nisan 4
noiembrie 11
noll 12
nollaig 12
nov 11
novembar 11
november 11
novembra 11
novembre 11
novembris 11
novembro 11
novembru 11
noviembre 11
oca 1
ocak 1
oct 10
october 10
octobre 10
octombrie 10
octubre 10
okt 10
oktobar 10
oktober 10
oktobra 10
oktobris 10
oktoober 10
ots 2
otsaila 2
ott 10
ottobre 10
ottubru 10
out 10
outubro 10
ozu 3
ozujak 3
ozujka 3
paz 10
pazdziernik 10
pazdziernika 10
pri 4
prill 4
pro 12
prosinac 12
prosinca 12
prosince 12
prosinec 12
qer 6
qershor 6
rhag 12
rhagfyr 12
rij 10
rijen 10
rijna 10
rugp 8
rugpjucio 8
rugpjutis 8
rugs 9
rugsejis 9
rugsejo 9
ruj 9
rujan 9
rujna 9
samh 11
samhain 11
saus 1
sausio 1
sausis 1
schan 1
schaner 1
sep 9
sept 9
septembar 9
september 9
septembra 9
septembre 9
septembrie 9
septembris 9
septiembre 9
set 9
setembre 9
setembro 9
sett 9
settember 9
settembre 9
settembru 9
shk 2
shkurt 2
sht 9
shtator 9
sie 8
sierpien 8
sierpnia 8
sij 1
sijecanj 1
sijecnja 1
spal 10
spalio 10
spalis 10
srpanj 7
srpen 8
srpna 8
srpnja 7
stu 11
studeni 11
studenoga 11
sty 1
styczen 1
stycznia 1
sub 2
subat 2
svi 5
svibanj 5
svibnja 5
syys 9
syyskuu 9
syyskuuta 9
szept 9
szeptember 9
tach 11
tachwedd 11
tammi 1
tammikuu 1
tammikuuta 1
tem 7
temmuz 7
tet 10
tetor 10
touko 5
toukokuu 5
toukokuuta 5
tra 4
travanj 4
travnja 4
uno 2
unor 2
unora 2
urr 10
urria 10
urt 1
urtarrila 1
uzt 7
uztaila 7
vas 2
vasario 2
vasaris 2
veebr 2
veebruar 2
velj 2
veljaca 2
veljace 2
wrz 9
wrzesien 9
wrzesnia 9
xan 1
xaneiro 1
xul 7
xullo 7
xuno 6
zar 9
zari 9
zercl 6
zercladur 6
απρ 4
απριλιοσ 4
απριλιου 4
αυγ 8
αυγουστοσ 8
αυγουστου 8
δεκ 12
δεκεμβριοσ 12
δεκεμβριου 12
ιαν 1
ιανουαριοσ 1
ιανουαριου 1
ιουλ 7
ιουλιοσ 7
ιουλιου 7
ιουν 6
ιουνιοσ 6
ιουνιου 6
μαι 5
μαιοσ 5
μαιου 5
μαρ 3
μαρτιοσ 3
μαρτιου 3
νοε 11
νοεμβριοσ 11
νοεμβριου 11
οκτ 10
οκτωβριοσ 10
οκτωβριου 10
σεπ 9
σεπτεμβριοσ 9
σεπτεμβριου 9
φεβ 2
φεβρουαριοσ 2
φεβρουαριου 2
авг 8
август 8
августа 8
апр 4
апрель 4
апреля 4
април 4
бер 3
березень 3
березня 3
вер 9
верасень 9
верасня 9
вересень 9
вересня 9
груд 12
грудень 12
грудня 12
дек 12
декабрь 12
декабря 12
декември 12
дец 12
децембар 12
жні 8
жнівень 8
жніуня 8
жовт 10
жовтень 10
жовтня 10
июл 7
июль 7
июля 7
июн 6
июнь 6
июня 6
кас 10
кастрычнік 10
кастрычніка 10
квіт 4
квітень 4
квітня 4
кра 4
красавік 4
красавіка 4
лип 7
липень 7
липня 7
лист 11
листопад 11
листопада 11
лют 2
лютага 2
лютии 2
лютого 2
люты 2
ліп 7
ліпень 7
ліпеня 7
ліс 11
лістапад 11
лістапада 11
маи 5
мар 3
март 3
марта 3
мая 5
мај 5
нов 11
новембар 11
ное 11
ноември 11
нояб 11
ноябрь 11
ноября 11
окт 10
октобар 10
октомври 10
октябрь 10
октября 10
сак 3
сакавік 3
сакавіка 3
сент 9
сентябрь 9
сентября 9
сеп 9
септембар 9
септември 9
серп 8
серпень 8
серпня 8
сне 12
снежань 12
снежня 12
сту 1
студзень 1
студзеня 1
січ 1
січень 1
січня 1
трав 5
травень 5
травня 5
феб 2
фебруар 2
фев 2
февр 2
февраль 2
февраля 2
февруари 2
черв 6
червень 6
червня 6
чэр 6
чэрвень 6
чэрвеня 6
юли 7
юни 6
янв 1
январь 1
января 1
яну 1
януари 1
јан 1
јануар 1
јануари 1
јул 7
јули 7
јун 6
јуни 6
"""

#: Names that mean different months in different languages: name, then month:languages, ...
AMBIGUOUS = """\
lip 6:hr 7:pl
lis 10:hr 11:cs,pl
listopad 10:hr 11:cs,pl
listopada 10:hr 11:pl
srp 7:hr 8:cs
"""

#: Folded weekday names, one a line (a date may start with its weekday).
WEEKDAYS = """\
al
an
antradienis
aoine
ar
asteartea
asteazkena
astelehena
az
car
carsamba
cead
cet
cetrtek
ceturtd
ceturtdiena
cetvrtak
cmt
cs
csutortok
ct
ctvrtek
cum
cuma
cumartesi
czw
czwartek
dc
de ceadaoin
de domhnaigh
de haoine
de luain
de mairt
de sathairn
dear
deardaoin
den
denschdeg
dg
di
die
dienstag
dijous
dilluns
dim
dimanche
dimarts
dimecres
dinsdag
dissabte
diumenge
divendres
dj
dl
do
dom
domenica
domh
domingo
don
donderdag
donnerstag
donneschdeg
ds
dt
du
dum
dumengia
duminica
dv
dydd gwener
dydd iau
dydd llun
dydd mawrth
dydd mercher
dydd sadwrn
dydd sul
e
e diel
e enjte
e hene
e marte
e merkure
e premte
e shtune
enj
erb
esmaspaev
fim
fimmtudagur
fos
fostudagur
fr
fre
fredag
freideg
freitag
fri
friday
friggjadagur
gie
gievgia
gim
gio
giovedi
gli
glindesdi
gwe
gwen
h
hen
hetfo
hos
hosdagur
iau
ig
igandea
il-gimgħa
il-ħadd
il-ħamis
is-sibt
it-tlieta
it-tnejn
jeu
jeudi
joi
jue
jueves
k
ke
kedd
keskiviikko
keskiviikkona
ketvirtadienis
kolmapaev
kt
l
l-erbgħa
la
larunbata
lau
lauantai
lauantaina
laugardagur
laupaev
laurdag
ley
leygardagur
llun
lor
lordag
lr
luan
lun
lundi
lunedi
lunes
luni
luns
lør
lørdag
ma
maanantai
maanantaina
maandag
mairt
man
manadagur
mandag
manudagur
mar
mardi
martedi
martes
marti
maw
me
mei
meindeg
mer
mercoledi
mercores
mercredi
mesemna
met
mettwoch
mi
mie
miercoles
miercuri
mik
mikudagur
mittwoch
mið
miðvikudagur
mo
mon
monday
montag
n
ne
ned
nedela
nedele
nedelja
nedjelja
neljapaev
niedz
niedziela
og
on
ons
onsdag
or
osteguna
ostirala
otrd
otrdiena
p
pa
patek
paz
pazar
pazartesi
pe
penktadienis
pentek
per
perjantai
perjantaina
persembe
pet
petak
petek
pi
piatek
piatok
piektd
piektdiena
pirmadienis
pirmd
pirmdiena
pn
po
pon
pondeli
pondelok
ponedeljek
ponedjeljak
poniedziałek
pr
pre
pt
puhapaev
pzt
qua
quarta-feira
qui
quinta-feira
r
reede
sa
sab
sabado
sabato
sad
sal
sali
sam
sambata
samedi
samschdeg
samstag
sat
sath
saturday
seg
segunda-feira
sekmadienis
sestadienis
sestd
sestdiena
sex
sexta-feira
sht
sib
sk
so
sob
sobota
son
sonda
sondag
sonndeg
sonntag
sr
sre
sreda
sri
srijeda
sroda
st
streda
stvrtok
su
sub
subota
sul
sun
sunday
sunnudagur
sunnuntai
sunnuntaina
svetd
svetdiena
sze
szerda
szo
szombat
sø
søn
søndag
t
teisipaev
ter
terca-feira
thu
thursday
ti
tiistai
tiistaina
tir
tirs
tirsdag
tis
tisdag
tli
tne
to
tor
torek
tors
torsdag
torstai
torstaina
tr
treciadienis
tresd
tresdiena
tue
tuesday
ty
tys
tysdag
tysdagur
ut
utery
uto
utorak
utorok
v
vasarnap
ve
ven
venderdi
vendredi
venerdi
venres
vie
viernes
vin
vineri
vr
vrijdag
wed
wednesday
wo
woensdag
wt
wtorek
xov
xoves
za
zaterdag
zo
zondag
þri
þriðjudagur
ħad
ħam
δευ
δευτερα
κυρ
κυριακη
παρ
παρασκευη
πεμ
πεμπτη
σαβ
σαββατο
τετ
τεταρτη
τρι
τριτη
ау
ауторак
воскресенье
вс
вт
вто
вторник
вівторок
нд
нед
недела
неделя
недеља
неділя
нядзеля
пʼятниця
панядзелак
пет
петак
петок
петък
пн
пон
понеделник
понедельник
понедељак
понеділок
пт
пятница
пятніца
саб
сабота
сб
серада
середа
ср
сре
среда
сряда
суб
суббота
субота
събота
уто
уторак
чацвер
чет
четвер
четверг
четвртак
четврток
четвъртък
чт
чц
"""
